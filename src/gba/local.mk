# src/gba: rules added by the module
