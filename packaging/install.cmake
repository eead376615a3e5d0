# packaging/install.cmake - what `cmake --install` places beside the two
# binaries: manual pages, systemd units, bash completion, example
# configuration.  Included at the end of the top-level CMakeLists.txt.
# Components: "agent" (what iommu-agent needs on every host) and
# "collector"; packaging/build-packages splits the packages the same way.
#
# Every place comes from GNUInstallDirs and is relative to the install
# prefix, so `cmake --install build --prefix DIR` and DESTDIR put everything
# under DIR: bin/, share/man/man{5,7,8}, share/bash-completion/completions,
# lib/systemd/system, lib/tmpfiles.d, etc/iommu-fleet.  Two exceptions follow
# the GNU and systemd conventions for the system prefix /usr: the
# configuration goes to /etc and the units to systemd's own directory (stage
# those with DESTDIR, not --prefix).  The units name the binaries and the
# configuration by the prefix given at configure time.
include(GNUInstallDirs)

# The binaries install to BINDIR (CMakeLists.txt, collector/CMakeLists.txt),
# and the units below name it: the two agree whatever BINDIR is.
set(_system_prefix FALSE)
if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  set(_system_prefix TRUE)
endif()

# systemd looks in /etc, /run, /usr/local/lib and /usr/lib (or /lib before
# the /usr merge, which is where Debian 12 wants packages to put units).
set(IOMMU_FLEET_SYSTEMD_UNITDIR "" CACHE PATH
    "systemd system units (default: systemd.pc's systemdsystemunitdir for prefix /usr, else PREFIX/lib/systemd/system)")
set(_unitdir "${IOMMU_FLEET_SYSTEMD_UNITDIR}")
if(_unitdir STREQUAL "" AND _system_prefix)
  pkg_get_variable(_unitdir systemd systemdsystemunitdir)
endif()
if(_unitdir STREQUAL "")
  set(_unitdir "lib/systemd/system")
endif()

# where the files go (relative: under the prefix), and the path the units
# and messages name (absolute)
if(_system_prefix OR IS_ABSOLUTE "${CMAKE_INSTALL_SYSCONFDIR}")
  set(_confdest "${CMAKE_INSTALL_FULL_SYSCONFDIR}/iommu-fleet")
else()
  set(_confdest "${CMAKE_INSTALL_SYSCONFDIR}/iommu-fleet")
endif()
set(_confdir "${CMAKE_INSTALL_FULL_SYSCONFDIR}/iommu-fleet")
set(_pkg "${CMAKE_CURRENT_LIST_DIR}")

# The units name /usr/bin and /etc/iommu-fleet: rewritten for another
# prefix, copied as they are for /usr.
foreach(unit iommu-agent.service iommu-agent.timer iommu-collector.service
        iommu-collector-pull.service iommu-collector-pull.timer)
  file(READ "${_pkg}/systemd/${unit}" _text)
  string(REPLACE "/usr/bin/" "${CMAKE_INSTALL_FULL_BINDIR}/" _text "${_text}")
  string(REPLACE "/etc/iommu-fleet/" "${_confdir}/" _text "${_text}")
  file(WRITE "${CMAKE_BINARY_DIR}/packaging/systemd/${unit}" "${_text}")
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${_pkg}/systemd/${unit}")
  if(unit MATCHES "^iommu-agent")
    set(_component agent)
  else()
    set(_component collector)
  endif()
  install(FILES "${CMAKE_BINARY_DIR}/packaging/systemd/${unit}"
          DESTINATION "${_unitdir}" COMPONENT ${_component})
endforeach()

# the agent's spool directory, made at boot and by the package
set(IOMMU_FLEET_TMPFILESDIR "" CACHE PATH
    "tmpfiles.d directory (default: systemd.pc's tmpfilesdir for prefix /usr, else PREFIX/lib/tmpfiles.d)")
set(_tmpfilesdir "${IOMMU_FLEET_TMPFILESDIR}")
if(_tmpfilesdir STREQUAL "" AND _system_prefix)
  pkg_get_variable(_tmpfilesdir systemd tmpfilesdir)
endif()
if(_tmpfilesdir STREQUAL "")
  set(_tmpfilesdir "lib/tmpfiles.d")
endif()
install(FILES "${_pkg}/systemd/iommu-agent.tmpfiles" RENAME iommu-agent.conf
        DESTINATION "${_tmpfilesdir}" COMPONENT agent)

# iommu-fleet.conf(5) documents both files; it goes with the agent, the
# package every host has.  iommu-fleet-views(7), the database's views, goes
# with the collector, which has the database.
install(FILES "${CMAKE_SOURCE_DIR}/man/iommu-agent.8"
        DESTINATION "${CMAKE_INSTALL_MANDIR}/man8" COMPONENT agent)
install(FILES "${CMAKE_SOURCE_DIR}/man/iommu-fleet.conf.5"
        DESTINATION "${CMAKE_INSTALL_MANDIR}/man5" COMPONENT agent)
install(FILES "${CMAKE_SOURCE_DIR}/man/iommu-collector.8"
        DESTINATION "${CMAKE_INSTALL_MANDIR}/man8" COMPONENT collector)
install(FILES "${CMAKE_SOURCE_DIR}/man/iommu-fleet-views.7"
        DESTINATION "${CMAKE_INSTALL_MANDIR}/man7" COMPONENT collector)

install(FILES "${_pkg}/completion/iommu-agent"
        DESTINATION "${CMAKE_INSTALL_DATADIR}/bash-completion/completions" COMPONENT agent)
install(FILES "${_pkg}/completion/iommu-collector"
        DESTINATION "${CMAKE_INSTALL_DATADIR}/bash-completion/completions" COMPONENT collector)

# The example configuration: never over an administrator's file (a package
# manager handles conffiles itself; this is for `sudo cmake --install`).
# A relative place is resolved against the prefix at install time, as
# install(FILES) does; file(INSTALL) adds DESTDIR itself.
foreach(name agent collector)
  install(CODE "
    set(_dir \"${_confdest}\")
    if(NOT IS_ABSOLUTE \"\${_dir}\")
      set(_dir \"\${CMAKE_INSTALL_PREFIX}/\${_dir}\")
    endif()
    if(EXISTS \"\$ENV{DESTDIR}\${_dir}/${name}.conf\")
      message(STATUS \"Keeping: \$ENV{DESTDIR}\${_dir}/${name}.conf\")
    else()
      file(INSTALL DESTINATION \"\${_dir}\" TYPE FILE FILES \"${_pkg}/conf/${name}.conf\")
    endif()" COMPONENT ${name})
endforeach()
