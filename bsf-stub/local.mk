# bsf-stub: rules added by the module
