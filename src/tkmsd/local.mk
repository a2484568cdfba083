# src/tkmsd: rules added by the module
