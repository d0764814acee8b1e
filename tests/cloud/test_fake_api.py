"""The fake checks signatures and parameters the way the Tencent Cloud API does, so the reader's
tests mean something: requests signed by the SDK pass, anything tampered with or mis-signed fails."""

from __future__ import annotations

import json

import pytest
import requests
from tencentcloud.common import credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.http.request import RequestInternal
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.vpc.v20170312 import models, vpc_client

from tests.tencent_fake.server import SECRET_ID, SECRET_KEY


def client(fake, secret_id=SECRET_ID, secret_key=SECRET_KEY, region="ap-guangzhou"):
    profile = ClientProfile(httpProfile=HttpProfile(protocol="http", endpoint=fake.endpoint.split("//")[1]))
    return vpc_client.VpcClient(credential.Credential(secret_id, secret_key), region, profile)


def signed_request(fake, params):
    """What the SDK would send for DescribeSecurityGroups: headers and body, signed."""
    vpc = client(fake)
    req = RequestInternal(vpc._get_endpoint(), "POST", "/", header={})
    vpc._build_req_inter("DescribeSecurityGroups", params, req)
    return req


def send(fake, req, body=None):
    answer = requests.post(
        fake.endpoint + "/", data=body if body is not None else req.data, headers=req.header, timeout=5
    )
    assert answer.status_code == 200 and answer.headers["Content-Type"] == "application/json"
    return answer.json()["Response"]


def test_an_sdk_signed_request_passes_and_a_tampered_one_fails(tencent):
    tencent.add_security_group("sg-web00001", name="web", bindings={"CVM": 3})
    req = signed_request(tencent, {"SecurityGroupIds": ["sg-web00001"]})
    ok = send(tencent, req)
    assert ok["SecurityGroupSet"][0]["SecurityGroupId"] == "sg-web00001" and ok["RequestId"]
    tampered = send(tencent, req, body=json.dumps({"SecurityGroupIds": ["sg-web00002"]}))
    assert tampered["Error"]["Code"] == "AuthFailure.SignatureFailure"
    req.header["X-TC-Timestamp"] = str(int(req.header["X-TC-Timestamp"]) - 3600)
    assert send(tencent, req)["Error"]["Code"] == "AuthFailure.SignatureExpire"


def test_a_wrong_key_or_unknown_id_is_refused_like_the_api(tencent):
    request = models.DescribeSecurityGroupsRequest()
    with pytest.raises(TencentCloudSDKException) as wrong_key:
        client(tencent, secret_key="not-the-key").DescribeSecurityGroups(request)
    assert wrong_key.value.code == "AuthFailure.SignatureFailure" and wrong_key.value.requestId
    with pytest.raises(TencentCloudSDKException) as unknown:
        client(tencent, secret_id="AKIDunknown").DescribeSecurityGroups(request)
    assert unknown.value.code == "AuthFailure.SecretIdNotFound"
    assert [c.answer for c in tencent.calls] == ["AuthFailure.SignatureFailure", "AuthFailure.SecretIdNotFound"]


def test_documented_parameter_types_and_regions_are_enforced(tencent):
    tencent.add_security_group("sg-web00001", name="web")
    vpc = client(tencent)
    as_int = models.DescribeSecurityGroupsRequest()
    as_int.Limit = 10  # documented as a String
    with pytest.raises(TencentCloudSDKException, match="InvalidParameter"):
        vpc.DescribeSecurityGroups(as_int)
    both = models.DescribeSecurityGroupsRequest()
    both.from_json_string(
        json.dumps({"SecurityGroupIds": ["sg-web00001"], "Filters": [{"Name": "project-id", "Values": ["0"]}]})
    )
    with pytest.raises(TencentCloudSDKException, match="InvalidParameterCoexist"):
        vpc.DescribeSecurityGroups(both)
    elsewhere = client(tencent, region="ap-shanghai").DescribeSecurityGroups(models.DescribeSecurityGroupsRequest())
    assert elsewhere.TotalCount == 0  # resources are regional
