import torchvision

model = torchvision.models.resnet18(num_classes=10)
