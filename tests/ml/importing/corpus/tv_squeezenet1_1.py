import torchvision

model = torchvision.models.squeezenet1_1(num_classes=10)
