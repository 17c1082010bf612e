"""Datasets: MNIST and friends, image folders, drawings, and the augmentation preview."""
