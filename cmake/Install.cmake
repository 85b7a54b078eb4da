# `cmake --install`: the CLI, liblamina.so, the public headers, a CMake package
# (find_package(lamina) -> lamina::lamina) and a pkg-config file (lamina.pc).

include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(TARGETS lamina RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS lamina_shared EXPORT laminaTargets
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/lamina DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(FILES ${PROJECT_SOURCE_DIR}/include/lamina.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}) # the C ABI
install(FILES ${LAMINA_GENERATED_INCLUDE}/lamina/DType.h # generated from DTypes.def
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/lamina)
install(EXPORT laminaTargets NAMESPACE lamina::
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/lamina)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/laminaConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/laminaConfig.cmake
                              INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/lamina)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/laminaConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/laminaConfig.cmake ${PROJECT_BINARY_DIR}/laminaConfigVersion.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/lamina)
configure_file(${PROJECT_SOURCE_DIR}/cmake/lamina.pc.in ${PROJECT_BINARY_DIR}/lamina.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/lamina.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
