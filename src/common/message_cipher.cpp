// MessageCipher; see message_cipher.h.
#include "src/common/message_cipher.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <cstdlib>
#include <memory>

namespace zaqard {

namespace {

constexpr size_t kNonceSize = 12;
constexpr size_t kTagSize = 16;
constexpr std::string_view kVersion1 = "~1";
// Bound to every ciphertext: a blob sealed by something else under the same key (none
// today) cannot pass for a message body.
constexpr std::string_view kAssociatedData = "zaqard message body v1";

struct CtxFree {
    void operator()(EVP_CIPHER_CTX* ctx) const { EVP_CIPHER_CTX_free(ctx); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CtxFree>;

const unsigned char* bytes(std::string_view text) {
    return reinterpret_cast<const unsigned char*>(text.data());
}

std::string base64Encode(std::string_view raw) {
    std::string out(4 * ((raw.size() + 2) / 3), '\0');
    int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes(raw),
                            static_cast<int>(raw.size()));
    out.resize(static_cast<size_t>(n));
    return out;
}

std::optional<std::string> base64Decode(std::string_view text) {
    if (text.empty() || text.size() % 4 != 0) return std::nullopt;
    std::string out(text.size() / 4 * 3, '\0');
    int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes(text),
                            static_cast<int>(text.size()));
    if (n < 0) return std::nullopt;
    // EVP_DecodeBlock counts the padding as zero bytes.
    size_t padding = 0;
    if (text.back() == '=') ++padding;
    if (text.size() >= 2 && text[text.size() - 2] == '=') ++padding;
    out.resize(static_cast<size_t>(n) - padding);
    return out;
}

}  // namespace

MessageCipher::MessageCipher(std::string_view passphrase) {
    SHA256(bytes(passphrase), passphrase.size(), key_.data());
}

std::string MessageCipher::seal(std::string_view plaintext) const {
    std::string raw(kNonceSize + plaintext.size() + kTagSize, '\0');
    auto* out = reinterpret_cast<unsigned char*>(raw.data());
    // Failures below mean a broken OpenSSL (no RNG, no AES-GCM): storing the plaintext
    // instead would break the promise, so stop.
    if (RAND_bytes(out, kNonceSize) != 1) std::abort();
    CipherCtx ctx(EVP_CIPHER_CTX_new());
    int len = 0;
    int total = 0;
    if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key_.data(), out) != 1 ||
        EVP_EncryptUpdate(ctx.get(), nullptr, &len, bytes(kAssociatedData),
                          static_cast<int>(kAssociatedData.size())) != 1 ||
        EVP_EncryptUpdate(ctx.get(), out + kNonceSize, &len, bytes(plaintext),
                          static_cast<int>(plaintext.size())) != 1)
        std::abort();
    total = len;
    if (EVP_EncryptFinal_ex(ctx.get(), out + kNonceSize + total, &len) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagSize,
                            out + kNonceSize + plaintext.size()) != 1)
        std::abort();
    return std::string(kVersion1) + base64Encode(raw);
}

std::optional<std::string> MessageCipher::open(std::string_view sealed) const {
    if (sealed.substr(0, kVersion1.size()) != kVersion1) return std::nullopt;
    auto raw = base64Decode(sealed.substr(kVersion1.size()));
    if (!raw || raw->size() < kNonceSize + kTagSize) return std::nullopt;
    const size_t size = raw->size() - kNonceSize - kTagSize;
    auto* in = reinterpret_cast<unsigned char*>(raw->data());
    std::string plaintext(size, '\0');
    auto* out = reinterpret_cast<unsigned char*>(plaintext.data());
    CipherCtx ctx(EVP_CIPHER_CTX_new());
    int len = 0;
    if (!ctx || EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key_.data(), in) != 1 ||
        EVP_DecryptUpdate(ctx.get(), nullptr, &len, bytes(kAssociatedData),
                          static_cast<int>(kAssociatedData.size())) != 1 ||
        EVP_DecryptUpdate(ctx.get(), out, &len, in + kNonceSize, static_cast<int>(size)) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagSize, in + kNonceSize + size) != 1)
        return std::nullopt;
    // Final verifies the tag: nothing is returned unless the whole body authenticates.
    if (EVP_DecryptFinal_ex(ctx.get(), out + len, &len) != 1) return std::nullopt;
    return plaintext;
}

std::string MessageCipher::keyCheckValue() const {
    static constexpr std::string_view kLabel = "zaqard message_encryption_key check v1";
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int macLen = 0;
    HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()), bytes(kLabel), kLabel.size(),
         mac, &macLen);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string hex;
    for (unsigned int i = 0; i < macLen; ++i) {
        hex += kHex[mac[i] >> 4];
        hex += kHex[mac[i] & 15];
    }
    return hex;
}

}  // namespace zaqard
