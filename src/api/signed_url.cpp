#include "src/api/signed_url.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace zaqard::api {

std::string signUrl(const std::string& secretKey, const std::vector<std::string>& paths,
                    const std::vector<std::string>& methods, const std::string& project,
                    const std::string& expires) {
    auto join = [](const std::vector<std::string>& items) {
        std::string out;
        for (size_t i = 0; i < items.size(); ++i) out += (i ? "," : "") + items[i];
        return out;
    };
    const std::string separator = "\\n";
    std::string message =
        join(paths) + separator + join(methods) + separator + project + separator + expires;
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    HMAC(EVP_sha256(), secretKey.data(), static_cast<int>(secretKey.size()),
         reinterpret_cast<const unsigned char*>(message.data()), message.size(), digest, &length);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < length; ++i) {
        out += kHex[digest[i] >> 4];
        out += kHex[digest[i] & 0xf];
    }
    return out;
}

std::string formatExpires(double unixSeconds) {
    return formatIsoSeconds(unixSeconds);
}

}  // namespace zaqard::api
