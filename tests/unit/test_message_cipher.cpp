// MessageCipher: AES-256-GCM envelopes of message bodies at rest.
#include <gtest/gtest.h>

#include "src/common/message_cipher.h"

namespace zaqard {
namespace {

TEST(MessageCipher, RoundTrip) {
    MessageCipher cipher("operator secret");
    for (std::string body : {std::string("{\"event\":\"BackupStarted\"}"), std::string("\"\""),
                             std::string("1"), std::string(""), std::string(70000, 'x')}) {
        std::string sealed = cipher.seal(body);
        EXPECT_TRUE(MessageCipher::isSealed(sealed));
        EXPECT_EQ(sealed.substr(0, 2), "~1");
        if (body.size() > 4) {
            EXPECT_EQ(sealed.find(body), std::string::npos);
        }
        auto opened = cipher.open(sealed);
        ASSERT_TRUE(opened);
        EXPECT_EQ(*opened, body);
        EXPECT_EQ(*cipher.reveal(sealed), body);
    }
}

TEST(MessageCipher, FreshNoncePerBody) {
    MessageCipher cipher("k");
    EXPECT_NE(cipher.seal("{\"a\":1}"), cipher.seal("{\"a\":1}"));
}

TEST(MessageCipher, PlaintextIsRevealedAsIs) {
    MessageCipher cipher("k");
    EXPECT_FALSE(MessageCipher::isSealed("{\"a\":1}"));
    EXPECT_FALSE(MessageCipher::isSealed("\"~1abc\""));  // a JSON string is plaintext
    EXPECT_EQ(*cipher.reveal("{\"a\":1}"), "{\"a\":1}");
}

TEST(MessageCipher, TamperFails) {
    MessageCipher cipher("k");
    std::string sealed = cipher.seal("{\"amount\":100}");
    // Flip one base64 character in the nonce, the ciphertext and the tag.
    for (size_t at : {size_t(3), sealed.size() / 2, sealed.size() - 3}) {
        std::string tampered = sealed;
        tampered[at] = tampered[at] == 'A' ? 'B' : 'A';
        EXPECT_FALSE(cipher.open(tampered)) << at;
        EXPECT_FALSE(cipher.reveal(tampered));
    }
    EXPECT_FALSE(cipher.open(sealed.substr(0, sealed.size() - 4)));  // truncated
    EXPECT_FALSE(cipher.open("~1"));
    EXPECT_FALSE(cipher.open("~1!!!!"));
    EXPECT_FALSE(cipher.open("~2" + sealed.substr(2)));  // unknown version
}

TEST(MessageCipher, WrongKeyFails) {
    MessageCipher right("right key");
    MessageCipher wrong("wrong key");
    EXPECT_FALSE(wrong.open(right.seal("{\"a\":1}")));
    EXPECT_NE(right.keyCheckValue(), wrong.keyCheckValue());
    EXPECT_EQ(right.keyCheckValue(), MessageCipher("right key").keyCheckValue());
    EXPECT_EQ(right.keyCheckValue().size(), 64u);
}

}  // namespace
}  // namespace zaqard
