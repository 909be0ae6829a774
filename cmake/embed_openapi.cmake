# Generates the C++ functions that return docs/openapi.json (DOCUMENT) and
# src/api/openapi/source.json (SOURCE) as text: see src/api/openapi/openapi.h.
# Invoked at build time by CMakeLists.txt so that editing either file rebuilds it.
set(body "// Generated from docs/openapi.json and src/api/openapi/source.json by cmake/embed_openapi.cmake. Do not edit.\n")
string(APPEND body "#include \"src/api/openapi/openapi.h\"\n\nnamespace zaqard::api::openapi {\n\n")
foreach(pair "committedDocument;${DOCUMENT}" "sourceDocument;${SOURCE}")
  list(GET pair 0 function)
  list(GET pair 1 path)
  file(READ ${path} text)
  string(APPEND body "std::string_view ${function}() {\n    return R\"__json__(${text})__json__\";\n}\n\n")
endforeach()
string(APPEND body "}  // namespace zaqard::api::openapi\n")
file(WRITE ${OUTPUT}.tmp "${body}")
execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different ${OUTPUT}.tmp ${OUTPUT})
