// Message bodies at rest (queues with _enable_encrypt_messages; auth-and-config.md §6):
// AES-256-GCM through OpenSSL EVP. The key is SHA-256 of [transport]
// message_encryption_key (Zaqar's derivation, so the option means the same thing); every
// body gets a random 96-bit nonce.
//
// A sealed body is text, so it travels through Redis scripts, notification streams and
// dead-letter records like any other body:
//     "~1" base64( nonce (12 bytes) | ciphertext | GCM tag (16 bytes) )
// '~' never starts a JSON text, so a stored body is sealed exactly when its first byte is
// '~' (the post script checks the same byte); "1" is the envelope version. Plaintext
// bodies stored before a queue was encrypted stay readable.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace zaqard {

class MessageCipher {
  public:
    // The marker byte every sealed body starts with.
    static constexpr char kMarker = '~';

    explicit MessageCipher(std::string_view passphrase);

    // Whether a stored body is sealed (whatever its version).
    static bool isSealed(std::string_view stored) {
        return !stored.empty() && stored.front() == kMarker;
    }

    // The sealed envelope of `plaintext` (a body's JSON text).
    std::string seal(std::string_view plaintext) const;

    // The plaintext of a sealed body; nullopt when it is not a version-1 envelope or fails
    // authentication (tampered, truncated, or sealed under another key).
    std::optional<std::string> open(std::string_view sealed) const;

    // A stored body as its JSON text: plaintext bodies as they are, sealed ones opened.
    std::optional<std::string> reveal(const std::string& stored) const {
        if (!isSealed(stored)) return stored;
        return open(stored);
    }

    // A public fingerprint of the key (hex HMAC-SHA256 of a fixed label): stored in Redis
    // at start-up so a process started with another key is refused.
    std::string keyCheckValue() const;

  private:
    std::array<unsigned char, 32> key_{};
};

}  // namespace zaqard
