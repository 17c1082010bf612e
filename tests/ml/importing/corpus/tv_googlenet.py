import torchvision

model = torchvision.models.googlenet(num_classes=10, aux_logits=False, init_weights=True)
