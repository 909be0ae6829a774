#include "src/tls/server_tls.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <cstdio>

namespace zaqard::tls {

const char* const kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

namespace {

// The session id context: resumed sessions must come from this service (OpenSSL refuses
// to resume without one when client certificates are verified).
constexpr unsigned char kSessionContext[] = "zaqard";

struct BioDeleter {
    void operator()(BIO* bio) const { BIO_free(bio); }
};
struct X509Deleter {
    void operator()(X509* cert) const { X509_free(cert); }
};
struct KeyDeleter {
    void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};

// OpenSSL's error queue, oldest first, emptied.
std::string opensslErrors() {
    std::string text;
    while (unsigned long code = ERR_get_error()) {
        char line[256];
        ERR_error_string_n(code, line, sizeof line);
        if (!text.empty()) text += "; ";
        text += line;
    }
    return text.empty() ? "no PEM data" : text;
}

std::unique_ptr<BIO, BioDeleter> openFile(const std::string& option, const std::string& path,
                                          std::string& error) {
    std::unique_ptr<BIO, BioDeleter> bio(BIO_new_file(path.c_str(), "r"));
    if (!bio) {
        ERR_clear_error();
        error = "[zaqard] " + option + ": cannot read '" + path + "'";
    }
    return bio;
}

}  // namespace

struct ServerTls::Credentials {
    std::unique_ptr<X509, X509Deleter> certificate;
    STACK_OF(X509) * chain = nullptr;  // the certificates after the first, may be empty
    std::unique_ptr<EVP_PKEY, KeyDeleter> key;

    ~Credentials() {
        if (chain) sk_X509_pop_free(chain, X509_free);
    }

    static std::shared_ptr<const Credentials> load(const std::string& certFile,
                                                   const std::string& keyFile, std::string& error) {
        auto loaded = std::make_shared<Credentials>();
        auto certBio = openFile("ssl_cert_file", certFile, error);
        if (!certBio) return nullptr;
        loaded->certificate.reset(PEM_read_bio_X509(certBio.get(), nullptr, nullptr, nullptr));
        if (!loaded->certificate) {
            error = "[zaqard] ssl_cert_file: '" + certFile +
                    "' holds no PEM certificate: " + opensslErrors();
            return nullptr;
        }
        loaded->chain = sk_X509_new_null();
        while (X509* next = PEM_read_bio_X509(certBio.get(), nullptr, nullptr, nullptr))
            sk_X509_push(loaded->chain, next);
        ERR_clear_error();  // the end of the file reads as an error

        auto keyBio = openFile("ssl_key_file", keyFile, error);
        if (!keyBio) return nullptr;
        loaded->key.reset(PEM_read_bio_PrivateKey(keyBio.get(), nullptr, nullptr, nullptr));
        if (!loaded->key) {
            error =
                "[zaqard] ssl_key_file: '" + keyFile +
                "' holds no PEM private key (encrypted keys are not supported): " + opensslErrors();
            return nullptr;
        }
        if (X509_check_private_key(loaded->certificate.get(), loaded->key.get()) != 1) {
            ERR_clear_error();
            error = "[zaqard] ssl_key_file: '" + keyFile +
                    "' does not match the certificate of [zaqard] ssl_cert_file '" + certFile + "'";
            return nullptr;
        }
        return loaded;
    }
};

std::shared_ptr<ServerTls> ServerTls::create(const config::Config& config, std::string& error) {
    std::shared_ptr<ServerTls> tls(new ServerTls());
    tls->certFile_ = config.ssl_cert_file;
    tls->keyFile_ = config.ssl_key_file;
    tls->caFile_ = config.ssl_ca_file;
    tls->credentials_ = Credentials::load(tls->certFile_, tls->keyFile_, error);
    if (!tls->credentials_) return nullptr;
    tls->context_ = SSL_CTX_new(TLS_server_method());
    if (!tls->context_) {
        error = "cannot create a TLS context: " + opensslErrors();
        return nullptr;
    }
    if (!tls->configure(tls->context_, error)) return nullptr;
    return tls;
}

ServerTls::~ServerTls() {
    if (context_) SSL_CTX_free(context_);
}

bool ServerTls::configure(SSL_CTX* context, std::string& error) const {
    SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION);
    SSL_CTX_set_options(context, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
    if (SSL_CTX_set_cipher_list(context, kTls12Ciphers) != 1) {
        error = "cannot set the TLS 1.2 ciphers: " + opensslErrors();
        return false;
    }
    // Resumption: session tickets (OpenSSL's default, stateless) and the server-side
    // cache for clients that resume by id.
    SSL_CTX_set_session_cache_mode(context, SSL_SESS_CACHE_SERVER);
    SSL_CTX_set_session_id_context(context, kSessionContext, sizeof kSessionContext - 1);
    // The start-up credentials also sit in the context itself (libwebsockets checks for
    // them); the callback overrides them per handshake with the current ones.
    auto now = current();
    if (SSL_CTX_use_certificate(context, now->certificate.get()) != 1 ||
        SSL_CTX_use_PrivateKey(context, now->key.get()) != 1) {
        error = "[zaqard] ssl_cert_file: cannot use the certificate: " + opensslErrors();
        return false;
    }
    SSL_CTX_set_cert_cb(context, &ServerTls::onCertificate, const_cast<ServerTls*>(this));
    if (!caFile_.empty()) {
        if (SSL_CTX_load_verify_locations(context, caFile_.c_str(), nullptr) != 1) {
            error = "[zaqard] ssl_ca_file: cannot read CA certificates from '" + caFile_ +
                    "': " + opensslErrors();
            return false;
        }
        STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(caFile_.c_str());
        if (!names) {
            error = "[zaqard] ssl_ca_file: no CA certificate in '" + caFile_ + "'";
            ERR_clear_error();
            return false;
        }
        SSL_CTX_set_client_CA_list(context, names);  // takes ownership
        SSL_CTX_set_verify(context, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
    }
    return true;
}

std::shared_ptr<const ServerTls::Credentials> ServerTls::current() const {
    std::lock_guard lock(mutex_);
    return credentials_;
}

bool ServerTls::reload(std::string& error) {
    auto loaded = Credentials::load(certFile_, keyFile_, error);
    if (!loaded) return false;
    std::lock_guard lock(mutex_);
    credentials_ = std::move(loaded);
    return true;
}

// OpenSSL's certificate callback, on the thread doing the handshake: 1 goes on, 0 fails it.
int ServerTls::onCertificate(SSL* ssl, void* self) {
    auto now = static_cast<const ServerTls*>(self)->current();
    if (SSL_use_certificate(ssl, now->certificate.get()) != 1 ||
        SSL_use_PrivateKey(ssl, now->key.get()) != 1 || SSL_set1_chain(ssl, now->chain) != 1) {
        ERR_clear_error();
        return 0;
    }
    return 1;
}

}  // namespace zaqard::tls
