#include "transports/websocket/frame_codec.h"

#include <msgpack.h>

#include <cstring>

namespace zaqard::websocket {

namespace {

// Nesting bound: a hostile frame must not exhaust the stack.
constexpr int kMaxDepth = 64;

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
            return Json::adopt(json_real(object.via.f64));
        case MSGPACK_OBJECT_STR:
        case MSGPACK_OBJECT_BIN: {
            const char* ptr =
                object.type == MSGPACK_OBJECT_STR ? object.via.str.ptr : object.via.bin.ptr;
            uint32_t size =
                object.type == MSGPACK_OBJECT_STR ? object.via.str.size : object.via.bin.size;
            Json s = Json::adopt(json_stringn(ptr, size));
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
        msgpack_unpack_next(&unpacked, payload.data(), payload.size(), &offset);
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

}  // namespace zaqard::websocket
