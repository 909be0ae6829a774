#include "transports/websocket/frame_codec.h"

#include <msgpack.h>

#include <cmath>
#include <cstdint>
#include <cstring>

namespace zaqard::websocket {

namespace {

// Nesting bound: a hostile frame must not exhaust the stack.
constexpr int kMaxDepth = 64;

// Big-endian unsigned integer of `bytes` bytes at `p`.
uint64_t readBigEndian(const unsigned char* p, size_t bytes) {
    uint64_t value = 0;
    for (size_t i = 0; i < bytes; ++i) value = value << 8 | p[i];
    return value;
}

// Whether every array and map header of the payload's first object announces no more
// elements than the bytes left could hold (each element takes at least one). msgpack-c
// allocates a container's elements from its header before reading them, so a 5-byte frame
// "array of 2^32 elements" asked for 96 GiB (found by tests/fuzz/fuzz_ws_frame.cpp). Such a
// frame is truncated anyway: refusing it is what unpacking it would answer.
bool containersFit(std::string_view payload) {
    const auto* p = reinterpret_cast<const unsigned char*>(payload.data());
    const size_t size = payload.size();
    size_t pos = 0;
    uint64_t pending = 1;  // objects still to read
    while (pending > 0) {
        if (pending > size - pos) return false;
        --pending;
        const unsigned char c = p[pos++];
        uint64_t skip = 0;       // payload bytes after the header
        uint64_t elements = 0;   // objects the container holds
        size_t lengthBytes = 0;  // size of a length field that follows the type byte
        if (c <= 0x7f || c >= 0xe0 || c == 0xc0 || c == 0xc2 || c == 0xc3) {
        } else if (c >= 0x80 && c <= 0x8f) {
            elements = 2 * uint64_t(c & 0x0f);
        } else if (c >= 0x90 && c <= 0x9f) {
            elements = c & 0x0f;
        } else if (c >= 0xa0 && c <= 0xbf) {
            skip = c & 0x1f;
        } else {
            switch (c) {
                case 0xc4:
                case 0xd9:
                    lengthBytes = 1;
                    break;  // bin 8, str 8
                case 0xc5:
                case 0xda:
                    lengthBytes = 2;
                    break;
                case 0xc6:
                case 0xdb:
                    lengthBytes = 4;
                    break;
                case 0xc7:
                    lengthBytes = 1;
                    skip = 1;
                    break;  // ext: length, then a type byte
                case 0xc8:
                    lengthBytes = 2;
                    skip = 1;
                    break;
                case 0xc9:
                    lengthBytes = 4;
                    skip = 1;
                    break;
                case 0xca:
                    skip = 4;
                    break;
                case 0xcb:
                    skip = 8;
                    break;
                case 0xcc:
                case 0xd0:
                    skip = 1;
                    break;
                case 0xcd:
                case 0xd1:
                    skip = 2;
                    break;
                case 0xce:
                case 0xd2:
                    skip = 4;
                    break;
                case 0xcf:
                case 0xd3:
                    skip = 8;
                    break;
                case 0xd4:
                    skip = 2;
                    break;  // fixext 1, 2, 4, 8, 16: type byte + data
                case 0xd5:
                    skip = 3;
                    break;
                case 0xd6:
                    skip = 5;
                    break;
                case 0xd7:
                    skip = 9;
                    break;
                case 0xd8:
                    skip = 17;
                    break;
                case 0xdc:
                case 0xde:
                    lengthBytes = 2;
                    break;  // array 16, map 16
                case 0xdd:
                case 0xdf:
                    lengthBytes = 4;
                    break;  // array 32, map 32
                default:
                    return false;  // 0xc1: never used
            }
        }
        if (lengthBytes) {
            if (lengthBytes > size - pos) return false;
            uint64_t length = readBigEndian(p + pos, lengthBytes);
            pos += lengthBytes;
            if (c == 0xdc || c == 0xdd)
                elements = length;
            else if (c == 0xde || c == 0xdf)
                elements = 2 * length;
            else
                skip += length;
        }
        if (skip > size - pos) return false;
        pos += skip;
        pending += elements;
    }
    return true;
}

Json fromObject(const msgpack_object& object, int depth, std::string& error) {
    if (depth > kMaxDepth) {
        error = "ValueError: nesting too deep";
        return Json();
    }
    switch (object.type) {
        case MSGPACK_OBJECT_NIL:
            return Json::null();
        case MSGPACK_OBJECT_BOOLEAN:
            return Json::boolean(object.via.boolean);
        case MSGPACK_OBJECT_POSITIVE_INTEGER:
            if (object.via.u64 > static_cast<uint64_t>(INT64_MAX)) {
                error = "ValueError: integer too large";
                return Json();
            }
            return Json::integer(static_cast<int64_t>(object.via.u64));
        case MSGPACK_OBJECT_NEGATIVE_INTEGER:
            return Json::integer(object.via.i64);
        case MSGPACK_OBJECT_FLOAT32:
        case MSGPACK_OBJECT_FLOAT64:
            // JSON has no NaN or infinities (jansson refuses them): Python's json.dumps
            // text, rather than a refusal without a reason (found by fuzz_ws_frame).
            if (!std::isfinite(object.via.f64)) {
                error = "ValueError: Out of range float values are not JSON compliant";
                return Json();
            }
            return Json::adopt(json_real(object.via.f64));
        case MSGPACK_OBJECT_STR:
        case MSGPACK_OBJECT_BIN: {
            const char* ptr =
                object.type == MSGPACK_OBJECT_STR ? object.via.str.ptr : object.via.bin.ptr;
            uint32_t size =
                object.type == MSGPACK_OBJECT_STR ? object.via.str.size : object.via.bin.size;
            // msgpack-c may leave `ptr` null for an empty string, which json_stringn
            // refuses: "" was answered as invalid UTF-8 (found by fuzz_ws_frame).
            Json s = size == 0 ? Json::string("") : Json::adopt(json_stringn(ptr, size));
            if (!s) error = "UnicodeDecodeError: invalid UTF-8";
            return s;
        }
        case MSGPACK_OBJECT_ARRAY: {
            Json array = Json::array();
            for (uint32_t i = 0; i < object.via.array.size; ++i) {
                Json item = fromObject(object.via.array.ptr[i], depth + 1, error);
                if (!item) return Json();
                array.append(std::move(item));
            }
            return array;
        }
        case MSGPACK_OBJECT_MAP: {
            Json map = Json::object();
            for (uint32_t i = 0; i < object.via.map.size; ++i) {
                const msgpack_object_kv& kv = object.via.map.ptr[i];
                if (kv.key.type != MSGPACK_OBJECT_STR) {
                    error = "TypeError: map keys must be strings";
                    return Json();
                }
                std::string key(kv.key.via.str.ptr, kv.key.via.str.size);
                Json value = fromObject(kv.val, depth + 1, error);
                if (!value) return Json();
                map.set(key, std::move(value));
            }
            return map;
        }
        default:
            error = "TypeError: unsupported MessagePack type";
            return Json();
    }
}

void pack(msgpack_packer& packer, const json_t* value) {
    switch (json_typeof(value)) {
        case JSON_OBJECT: {
            msgpack_pack_map(&packer, json_object_size(value));
            const char* key;
            json_t* item;
            json_object_foreach(const_cast<json_t*>(value), key, item) {
                size_t length = strlen(key);
                msgpack_pack_str(&packer, length);
                msgpack_pack_str_body(&packer, key, length);
                pack(packer, item);
            }
            break;
        }
        case JSON_ARRAY: {
            msgpack_pack_array(&packer, json_array_size(value));
            size_t index;
            json_t* item;
            json_array_foreach(value, index, item) pack(packer, item);
            break;
        }
        case JSON_STRING: {
            size_t length = json_string_length(value);
            msgpack_pack_str(&packer, length);
            msgpack_pack_str_body(&packer, json_string_value(value), length);
            break;
        }
        case JSON_INTEGER:
            msgpack_pack_int64(&packer, json_integer_value(value));
            break;
        case JSON_REAL:
            msgpack_pack_double(&packer, json_real_value(value));
            break;
        case JSON_TRUE:
            msgpack_pack_true(&packer);
            break;
        case JSON_FALSE:
            msgpack_pack_false(&packer);
            break;
        case JSON_NULL:
            msgpack_pack_nil(&packer);
            break;
    }
}

int appendToString(void* data, const char* buffer, size_t length) {
    static_cast<std::string*>(data)->append(buffer, length);
    return 0;
}

}  // namespace

Json msgpackToJson(std::string_view payload, std::string& error) {
    msgpack_unpacked unpacked;
    msgpack_unpacked_init(&unpacked);
    size_t offset = 0;
    msgpack_unpack_return ret =
        containersFit(payload)
            ? msgpack_unpack_next(&unpacked, payload.data(), payload.size(), &offset)
            : MSGPACK_UNPACK_PARSE_ERROR;
    Json result;
    if (ret != MSGPACK_UNPACK_SUCCESS) {
        error = "ValueError: Unpack failed";
    } else if (offset != payload.size()) {
        error = "ExtraData: unpack(b) received extra data.";
    } else {
        result = fromObject(unpacked.data, 0, error);
    }
    msgpack_unpacked_destroy(&unpacked);
    return result;
}

std::string jsonToMsgpack(const json_t* value) {
    std::string out;
    msgpack_packer packer;
    msgpack_packer_init(&packer, &out, appendToString);
    pack(packer, value);
    return out;
}

namespace {

std::string cannotDecode(FrameKind kind) {
    return kind == FrameKind::Binary ? "Can't decode binary (MessagePack) request. "
                                     : "Can't decode text (JSON) request. ";
}

}  // namespace

DecodedFrame decodeFrame(FrameKind kind, std::string_view payload) {
    DecodedFrame frame;
    frame.kind = kind;
    if (kind == FrameKind::Binary) {
        std::string error;
        frame.value = msgpackToJson(payload, error);
        if (!frame.value) frame.error = cannotDecode(kind) + error;
        return frame;
    }
    json_error_t error;
    frame.value = Json::adopt(json_loadb(payload.data(), payload.size(), JSON_DECODE_ANY, &error));
    if (!frame.value) frame.error = cannotDecode(kind) + "JSONDecodeError: " + error.text;
    return frame;
}

DecodedFrame frameTooLarge(FrameKind kind, size_t limit) {
    DecodedFrame frame;
    frame.kind = kind;
    frame.error = cannotDecode(kind) + "Frame larger than " + std::to_string(limit) + " bytes.";
    return frame;
}

std::string encodeFrame(FrameKind kind, const Json& value) {
    return kind == FrameKind::Binary ? jsonToMsgpack(value.get()) : value.dump();
}

std::string encodeFrame(FrameKind kind, Outgoing out) {
    if (out.json.empty()) return encodeFrame(kind, out.value);
    if (kind == FrameKind::Text) return std::move(out.json);
    return encodeFrame(kind, parseJsonValue(out.json));
}

}  // namespace zaqard::websocket
