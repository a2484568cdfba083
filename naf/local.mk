# naf: rules added by the module
