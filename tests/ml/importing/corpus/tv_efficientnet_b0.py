import torchvision

model = torchvision.models.efficientnet_b0(num_classes=10)
