import torchvision

model = torchvision.models.mobilenet_v2(num_classes=10)
