"""The version of the installed Smaug distribution."""
import pbr.version

version_info = pbr.version.VersionInfo('smaug')
version_string = version_info.version_string
