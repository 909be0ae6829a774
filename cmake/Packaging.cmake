# systemd readiness (src/runtime/service_notify.cpp) and the Debian package (cpack -G DEB,
# driven by scripts/package.sh; docs/operations.md "Package").
#
# libsystemd (libsystemd-dev) is optional for a development build: without it zaqard sends
# no sd_notify notices. ZAQARD_REQUIRE_SYSTEMD=ON (the package build) makes it mandatory,
# because the packaged unit is Type=notify and would never see READY=1.
option(ZAQARD_REQUIRE_SYSTEMD "Fail the configure step when libsystemd is missing" OFF)
pkg_check_modules(SYSTEMD IMPORTED_TARGET libsystemd)
if(SYSTEMD_FOUND)
  target_compile_definitions(zq_runtime PRIVATE ZAQARD_HAVE_SYSTEMD=1)
  target_link_libraries(zq_runtime PRIVATE PkgConfig::SYSTEMD)
elseif(ZAQARD_REQUIRE_SYSTEMD)
  message(FATAL_ERROR "libsystemd not found: install libsystemd-dev (scripts/install-deps.sh);"
                      " the package's Type=notify unit needs zaqard's sd_notify")
else()
  message(STATUS "libsystemd not found (libsystemd-dev): zaqard sends no sd_notify readiness")
endif()

include(GNUInstallDirs)

# The man page, gzipped as Debian installs man pages (-n: no name or time stamp inside,
# so the package is reproducible).
find_program(GZIP_EXECUTABLE gzip REQUIRED)
set(ZAQARD_MAN_SOURCE ${CMAKE_CURRENT_SOURCE_DIR}/packaging/zaqard.8)
set(ZAQARD_MAN_GZ ${CMAKE_CURRENT_BINARY_DIR}/packaging/zaqard.8.gz)
add_custom_command(
  OUTPUT ${ZAQARD_MAN_GZ}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_CURRENT_BINARY_DIR}/packaging
  COMMAND sh -c "\"$0\" -9n -c \"$1\" > \"$2\"" ${GZIP_EXECUTABLE} ${ZAQARD_MAN_SOURCE}
          ${ZAQARD_MAN_GZ}
  DEPENDS ${ZAQARD_MAN_SOURCE}
  COMMENT "Compressing the zaqard(8) man page"
  VERBATIM)
add_custom_target(zaqard_man ALL DEPENDS ${ZAQARD_MAN_GZ})

# Where Debian 12's systemd looks for packaged units (pkg-config systemd says
# /lib/systemd/system); the fallback is the same path.
set(ZAQARD_UNIT_DIR /lib/systemd/system)
pkg_get_variable(SYSTEMD_UNIT_DIR_FROM_PC systemd systemdsystemunitdir)
if(SYSTEMD_UNIT_DIR_FROM_PC)
  set(ZAQARD_UNIT_DIR ${SYSTEMD_UNIT_DIR_FROM_PC})
endif()

install(TARGETS zaqard RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
# Absolute: /etc is outside the /usr prefix. Listed in conffiles below, so dpkg keeps an
# operator's edits on upgrade and removes the file only on purge.
install(FILES ${CMAKE_CURRENT_SOURCE_DIR}/conf/zaqar.conf DESTINATION /etc/zaqar)
install(FILES ${CMAKE_CURRENT_SOURCE_DIR}/packaging/zaqard.service DESTINATION ${ZAQARD_UNIT_DIR})
install(FILES ${ZAQARD_MAN_GZ} DESTINATION ${CMAKE_INSTALL_MANDIR}/man8)

set(ZAQARD_CONFFILES ${CMAKE_CURRENT_BINARY_DIR}/packaging/conffiles)
file(WRITE ${ZAQARD_CONFFILES} "/etc/zaqar/zaqar.conf\n")

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME zaqard)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "zaqard")
set(CPACK_PACKAGE_CONTACT "zaqard maintainers <zaqard@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "multi-tenant messaging service compatible with OpenStack Zaqar v2")
set(CPACK_PACKAGE_DESCRIPTION
    "zaqard serves OpenStack Zaqar's v2 API (REST and WebSocket) from Redis: queues,\n\
messages, claims, subscriptions and notifications, with many tenants on one\n\
server. The package holds the daemon, its configuration (/etc/zaqar/zaqar.conf),\n\
a hardened systemd unit (zaqard.service, Type=notify) and the zaqard(8) man page.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Depends from the libraries the binary links (dpkg-shlibdeps, from dpkg-dev).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS redis-server)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${ZAQARD_CONFFILES}
    ${CMAKE_CURRENT_SOURCE_DIR}/packaging/debian/postinst
    ${CMAKE_CURRENT_SOURCE_DIR}/packaging/debian/prerm
    ${CMAKE_CURRENT_SOURCE_DIR}/packaging/debian/postrm)
# conffiles 0644, maintainer scripts 0755, as dpkg expects.
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
