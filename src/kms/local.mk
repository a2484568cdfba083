# src/kms: rules added by the module
