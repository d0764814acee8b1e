"""The Kubernetes-API emulator checked against a client this project did not write: the real kubectl.

Each case runs kubectl against the emulator through the kubeconfig the emulator writes and compares
what it shows with what the product's Python client reads. Where the two disagree, the emulator is
wrong: it is fixed and the case stays, so every product test that passes against the emulator
means something on a real cluster.
"""
