"""EKS Doctor: find and fix the known pitfalls of Tencent Cloud EKS serverless clusters."""

__version__ = "0.1.0"
