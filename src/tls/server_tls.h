// The TLS side of zaqard's listeners: one SSL_CTX (zaqard's policy: TLS 1.2+, ECDHE with
// AEAD ciphers, session tickets and a session cache, optional mandatory client
// certificates) shared by every HTTPS and WSS listener of every shard, and the
// certificate and key it presents, re-read on SIGHUP.
//
// Reloading swaps the credentials, not the SSL_CTX: a certificate callback gives each new
// handshake the credentials current at that moment, so libwebsockets' own vhost SSL_CTX
// (which it creates itself) follows a reload exactly like the REST listener's, open connections keep
// the certificate they were opened with, and session tickets survive the reload.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "src/config/config.h"

typedef struct ssl_ctx_st SSL_CTX;
typedef struct ssl_st SSL;

namespace zaqard::tls {

// The TLS 1.2 suites zaqard offers: ECDHE key exchange with AEAD only (TLS 1.3 suites are
// OpenSSL's defaults, all AEAD).
extern const char* const kTls12Ciphers;

class ServerTls {
  public:
    // Reads [zaqard] ssl_cert_file / ssl_key_file / ssl_ca_file and builds the context.
    // Null + `error` naming the option on any problem (unreadable file, not PEM, key not
    // matching the certificate).
    static std::shared_ptr<ServerTls> create(const config::Config& config, std::string& error);
    ~ServerTls();
    ServerTls(const ServerTls&) = delete;
    ServerTls& operator=(const ServerTls&) = delete;

    // The context new HTTPS connections are made from (thread-safe to SSL_new from).
    SSL_CTX* context() const { return context_; }
    // Applies zaqard's policy and this object's credentials to a context created by
    // someone else (libwebsockets' vhost context). `this` must outlive that context.
    bool configure(SSL_CTX* context, std::string& error) const;
    // Re-reads the certificate and key; on failure the current ones stay and `error`
    // says why. Thread-safe; affects handshakes that start afterwards.
    bool reload(std::string& error);
    // Where the CA file is ("" when client certificates are not required).
    const std::string& caFile() const { return caFile_; }
    const std::string& certFile() const { return certFile_; }
    const std::string& keyFile() const { return keyFile_; }

    struct Credentials;

  private:
    ServerTls() = default;
    static int onCertificate(SSL* ssl, void* self);
    std::shared_ptr<const Credentials> current() const;

    std::string certFile_;
    std::string keyFile_;
    std::string caFile_;
    SSL_CTX* context_ = nullptr;
    mutable std::mutex mutex_;
    std::shared_ptr<const Credentials> credentials_;
};

}  // namespace zaqard::tls
