# src/http: rules added by the module
