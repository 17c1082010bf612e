import torchvision

model = torchvision.models.mobilenet_v3_small(num_classes=10)
