# src/mikey: rules added by the module
