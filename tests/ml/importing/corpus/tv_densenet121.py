import torchvision

model = torchvision.models.densenet121(num_classes=10)
