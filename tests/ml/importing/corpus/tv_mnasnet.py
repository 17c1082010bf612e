import torchvision

model = torchvision.models.mnasnet0_5(num_classes=10)
