/** The architecture families the engine can build; the engine registry has one builder per id. */
export const MODEL_FAMILY_CATALOGUE = {
  mlp: {
    label: 'MLP',
    convolutional: false,
    examples: ['mlp-1200x2', 'mlp-800x2', 'mlp-30x2'],
    description: 'fully connected ReLU network, mlp-<width>x<depth> (any width 1–8192, depth 1–16)',
  },
  lenet5: {
    label: 'LeNet-5',
    convolutional: true,
    examples: ['lenet5', 'lenet5@0.5'],
    description: 'LeNet-5 convnet (conv 6@5×5, pool, conv 16@5×5, pool, 120, 84); lenet5@0.5 scales the widths',
  },
  vgg: {
    label: 'VGG',
    convolutional: true,
    examples: ['vgg11', 'vgg13', 'vgg16', 'vgg19'],
    description: 'VGG-11/13/16/19 with batch norm, CIFAR form; vgg11@0.25 scales the widths',
  },
  resnet: {
    label: 'ResNet',
    convolutional: true,
    examples: ['resnet18', 'resnet34', 'resnet20', 'resnet56'],
    description: "ResNet-18/34 (CIFAR form) and ResNet-20/56 (He et al.'s CIFAR nets); resnet20@0.5 scales the widths",
  },
  mobilenetv2: {
    label: 'MobileNetV2',
    convolutional: true,
    examples: ['mobilenetv2', 'mobilenetv2@0.5'],
    description: 'MobileNetV2 (CIFAR form) with a width multiplier, mobilenetv2@0.5',
  },
} as const;

export type ModelFamilyId = keyof typeof MODEL_FAMILY_CATALOGUE;
export const MODEL_FAMILY_IDS = Object.keys(MODEL_FAMILY_CATALOGUE) as ModelFamilyId[];
export const CONVOLUTIONAL_FAMILIES = MODEL_FAMILY_IDS.filter((id) => MODEL_FAMILY_CATALOGUE[id].convolutional);
