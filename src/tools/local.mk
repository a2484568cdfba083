# src/tools: rules added by the module
