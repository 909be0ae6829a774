#include "notifiers/webhook_signature.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace zaqard::notifiers {

namespace {

std::string base64Encode(const unsigned char* data, size_t size) {
    std::string out(4 * ((size + 2) / 3), '\0');
    int written =
        EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, static_cast<int>(size));
    out.resize(static_cast<size_t>(written));
    return out;
}

std::optional<std::string> base64Decode(std::string_view text) {
    if (text.size() % 4 != 0) return std::nullopt;
    std::string out(3 * text.size() / 4, '\0');
    int written = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(text.data()),
                                  static_cast<int>(text.size()));
    if (written < 0) return std::nullopt;
    // EVP_DecodeBlock counts the padding as zero bytes: drop them.
    size_t padding = 0;
    for (size_t i = text.size(); i > 0 && text[i - 1] == '=' && padding < 2; --i) ++padding;
    out.resize(static_cast<size_t>(written) - padding);
    return out;
}

}  // namespace

std::optional<std::string> signingKey(std::string_view secret) {
    constexpr std::string_view kPrefix = "whsec_";
    if (secret.substr(0, kPrefix.size()) == kPrefix)
        return base64Decode(secret.substr(kPrefix.size()));
    return std::string(secret);
}

std::string webhookSignature(std::string_view secret, std::string_view id, int64_t timestamp,
                             std::string_view body) {
    auto key = signingKey(secret);
    if (!key) return {};
    std::string content;
    content.reserve(id.size() + body.size() + 24);
    content.append(id).append(".").append(std::to_string(timestamp)).append(".").append(body);
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int macLength = 0;
    if (HMAC(EVP_sha256(), key->data(), static_cast<int>(key->size()),
             reinterpret_cast<const unsigned char*>(content.data()), content.size(), mac,
             &macLength) == nullptr) {
        return {};
    }
    return "v1," + base64Encode(mac, macLength);
}

WebhookSignatureHeaders signWebhook(std::string_view secret, std::string_view id, int64_t timestamp,
                                    std::string_view body) {
    return {std::string(id), std::to_string(timestamp),
            webhookSignature(secret, id, timestamp, body)};
}

}  // namespace zaqard::notifiers
