"""Look inside and Explain: activations, filters, state_dict, receptive fields, the convolution explainer."""
