# src/ue: rules added by the module
