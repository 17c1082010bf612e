import torchvision

model = torchvision.models.convnext_tiny(num_classes=10)
