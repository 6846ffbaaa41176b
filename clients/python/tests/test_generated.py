"""The committed generated code matches Protocols/curriculum.proto."""

import shutil
import subprocess
from pathlib import Path

import pytest
from google.protobuf import descriptor_pb2

from curriculum_client.proto import curriculum_pb2

PROTOCOLS = Path(__file__).resolve().parents[3] / "Protocols"


@pytest.mark.skipif(shutil.which("protoc") is None, reason="protoc is not installed")
def test_generated_code_is_up_to_date(tmp_path):
    out = tmp_path / "set.pb"
    subprocess.run(["protoc", f"--proto_path={PROTOCOLS}", f"--descriptor_set_out={out}",
                    str(PROTOCOLS / "curriculum.proto")], check=True)
    fresh = descriptor_pb2.FileDescriptorSet.FromString(out.read_bytes()).file[0]
    # protoc fills json_name in descriptor sets but not in generated code, nested types
    # (a map's entry message) included.
    _clear_json_names(fresh.message_type)
    committed = descriptor_pb2.FileDescriptorProto()
    curriculum_pb2.DESCRIPTOR.CopyToProto(committed)
    assert committed == fresh, "run clients/python/scripts/generate_proto.sh (or Protocols/generate.sh python)"


def _clear_json_names(messages) -> None:
    for message in messages:
        for field in message.field:
            field.ClearField("json_name")
        _clear_json_names(message.nested_type)
