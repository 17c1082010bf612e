import torchvision

model = torchvision.models.regnet_y_400mf(num_classes=10)
