// Standard Webhooks signatures, checked against vectors computed with Python's hmac,
// hashlib and base64 (the first is also the Standard Webhooks reference example).
#include <gtest/gtest.h>

#include "notifiers/webhook_signature.h"

namespace zaqard::notifiers {
namespace {

TEST(NotifierSignature, WhsecSecretUsesDecodedKey) {
    auto headers =
        signWebhook("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek",
                    1614265330, R"({"test": 2432232314})");
    EXPECT_EQ(headers.id, "msg_p5jXN8AQM9LWM0D4loKWxJek");
    EXPECT_EQ(headers.timestamp, "1614265330");
    EXPECT_EQ(headers.signature, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
}

TEST(NotifierSignature, OtherSecretsAreRawBytes) {
    EXPECT_EQ(webhookSignature("plain-secret", "id-1", 1700000000, R"({"a": 1})"),
              "v1,aReE070CDr56EOWBMyfawmuFLCre7Wod3V5kLmClpfw=");
}

TEST(NotifierSignature, BadWhsecSecretSignsNothing) {
    EXPECT_FALSE(signingKey("whsec_abc").has_value());
    EXPECT_EQ(webhookSignature("whsec_abc", "id", 1, "{}"), "");
    EXPECT_EQ(signingKey("whsec_YWJj").value(), "abc");
    EXPECT_EQ(signingKey("whsec_YQ==").value(), "a");
}

}  // namespace
}  // namespace zaqard::notifiers
