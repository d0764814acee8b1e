"""A local fake of the Tencent Cloud API 3.0 (TKE and VPC Describe actions) over real HTTP."""
