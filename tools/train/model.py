"""The lesion CNN: small enough for one CPU core at inference.

Conv-BN-ReLU blocks (BatchNorm is folded into the convolutions at export), max
pooling between stages, global average pooling and one linear layer. Only
operators OpenCV 4.6's ONNX importer handles: Conv, Relu, MaxPool,
GlobalAveragePool, Flatten, Gemm.
"""
import torch
from torch import nn


def conv_block(cin, cout, stride=1):
    return [nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False),
            nn.BatchNorm2d(cout), nn.ReLU(inplace=True)]


class LesionNet(nn.Module):
    def __init__(self, num_classes, widths=(24, 48, 96, 160)):
        super().__init__()
        w1, w2, w3, w4 = widths
        layers = conv_block(3, w1, stride=2)             # size/2
        layers += conv_block(w1, w1)
        layers += [nn.MaxPool2d(2)]                      # size/4
        layers += conv_block(w1, w2) + conv_block(w2, w2)
        layers += [nn.MaxPool2d(2)]                      # size/8
        layers += conv_block(w2, w3) + conv_block(w3, w3)
        layers += [nn.MaxPool2d(2)]                      # size/16
        layers += conv_block(w3, w4)
        self.features = nn.Sequential(*layers)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.dropout = nn.Dropout(0.2)
        self.classifier = nn.Linear(w4, num_classes)

    def forward(self, x):
        x = self.pool(self.features(x)).flatten(1)
        return self.classifier(self.dropout(x))
