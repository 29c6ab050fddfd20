// Stands in for sharp in the GPU machine's bundle, which trains on MNIST and CIFAR files only.
export default function sharp() {
  throw new Error('image folders need sharp, which the GPU bundle leaves out');
}
