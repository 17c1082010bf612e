import torchvision

model = torchvision.models.shufflenet_v2_x0_5(num_classes=10)
