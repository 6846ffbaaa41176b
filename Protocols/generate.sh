#!/usr/bin/env bash
# Regenerates the committed code from curriculum.proto:
#   Sources/CurriculumWire/Generated/curriculum.pb.swift
#   clients/python/src/curriculum_client/proto/curriculum_pb2.py (and .pyi)
# `generate.sh python` regenerates only the Python code (no Swift build needed).
# Needs protoc (Debian: protobuf-compiler). protoc-gen-swift is built from the
# swift-protobuf version Package.swift resolves, unless PROTOC_GEN_SWIFT names one.
set -euo pipefail
protocols=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$protocols")

"$root/clients/python/scripts/generate_proto.sh"
if [[ "${1:-}" == "python" ]]; then
    exit 0
fi

plugin=${PROTOC_GEN_SWIFT:-}
if [[ -z "$plugin" ]]; then
    swift build --package-path "$root" -c release --product protoc-gen-swift
    plugin="$root/.build/release/protoc-gen-swift"
fi

protoc \
    --proto_path="$protocols" \
    --plugin=protoc-gen-swift="$plugin" \
    --swift_opt=Visibility=Public \
    --swift_out="$root/Sources/CurriculumWire/Generated" \
    "$protocols/curriculum.proto"
