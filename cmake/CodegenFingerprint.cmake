# Writes OUTPUT: a header defining LAMINA_CODEGEN_FINGERPRINT, the SHA-256 of every source file
# that decides the machine code of a kernel (SOURCES, a ;-list), so the persistent kernel cache
# never returns the code of an older lamina. Run with cmake -P at build time, whenever one of
# those sources changes.
set(joined "")
foreach(file IN LISTS SOURCES)
  file(SHA256 "${file}" digest)
  string(APPEND joined "${digest}\n")
endforeach()
string(SHA256 fingerprint "${joined}")
set(text "#pragma once\n#define LAMINA_CODEGEN_FINGERPRINT \"${fingerprint}\"\n")
file(WRITE "${OUTPUT}" "${text}")
