#!/usr/bin/env bash
# Regenerates the committed Python protobuf code from Protocols/curriculum.proto:
#   src/curriculum_client/proto/curriculum_pb2.py   (messages)
#   src/curriculum_client/proto/curriculum_pb2.pyi  (type stubs)
# Needs protoc >= 3.20 (Debian: protobuf-compiler). The generated code needs the
# protobuf runtime range pinned in pyproject.toml; generate with protoc 3.21.x
# (what Debian 12 ships) so the code stays importable by protobuf 4.21 through 7.x.
# Protocols/generate.sh runs this too.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
root=$(cd "$here/../.." && pwd)
out="$here/src/curriculum_client/proto"
protoc --version
protoc \
    --proto_path="$root/Protocols" \
    --python_out="$out" \
    --pyi_out="$out" \
    "$root/Protocols/curriculum.proto"
echo "wrote $out/curriculum_pb2.py and curriculum_pb2.pyi"
