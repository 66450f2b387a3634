#!/usr/bin/env python3
# test-flatpak-manifest.py
#
# Copyright 2026 The Calsync authors
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Checks the Flatpak manifest and the desktop integration against each other:
# the sandbox holes are exactly the five Calsync needs (keyring, notifications
# and background go through portals), the app id, runtime, SDK and command
# are right, the main module builds this repository with meson, and the
# desktop file and the metainfo name the same app id and command.
#
# Usage: test-flatpak-manifest.py MANIFEST DESKTOP-FILE METAINFO ICONS-DIR
# Prints TAP.

import configparser
import copy
import json
import os
import sys
import xml.etree.ElementTree as ET

APP_ID = 'io.github.calsync.Calsync'
COMMAND = 'calsync'
RUNTIME = 'org.gnome.Platform'
RUNTIME_VERSIONS = ('47', '48')
SDK = 'org.gnome.Sdk'

# Anything else (--filesystem, --talk-name, --own-name, --socket=session-bus,
# --socket=system-bus, --device=all, --env, …) is a hole the app must not have.
ALLOWED_FINISH_ARGS = {
    '--share=network',
    '--share=ipc',
    '--socket=wayland',
    '--socket=fallback-x11',
    '--device=dri',
}

SCREENSHOT_PREFIX = 'https://raw.githubusercontent.com/calsync/calsync/main/'

results = []


def check(ok, name, problems=(), skip=None):
    results.append((bool(ok), name, list(problems), skip))


def manifest_problems(manifest):
    """Returns a list of what is wrong with the manifest, empty if nothing."""
    problems = []

    app_id = manifest.get('id', manifest.get('app-id'))
    if app_id != APP_ID:
        problems.append('app id is %r, not %r' % (app_id, APP_ID))
    if manifest.get('runtime') != RUNTIME:
        problems.append('runtime is %r, not %r' % (manifest.get('runtime'), RUNTIME))
    if str(manifest.get('runtime-version')) not in RUNTIME_VERSIONS:
        problems.append('runtime-version %r is not one of %s'
                        % (manifest.get('runtime-version'), ', '.join(RUNTIME_VERSIONS)))
    if manifest.get('sdk') != SDK:
        problems.append('sdk is %r, not %r' % (manifest.get('sdk'), SDK))
    if manifest.get('command') != COMMAND:
        problems.append('command is %r, not %r' % (manifest.get('command'), COMMAND))

    finish_args = manifest.get('finish-args', [])
    if not isinstance(finish_args, list):
        problems.append('finish-args is not a list')
        finish_args = []
    for arg in finish_args:
        if arg not in ALLOWED_FINISH_ARGS:
            problems.append('finish-arg %r is not allowed' % (arg,))
    for arg in sorted(ALLOWED_FINISH_ARGS - set(finish_args)):
        problems.append('finish-arg %r is missing' % (arg,))
    if len(finish_args) != len(set(finish_args)):
        problems.append('finish-args repeat an entry')

    # A module's build-options may widen the sandbox of the build only; the
    # app's permissions come from finish-args alone, so none may hide there.
    for key in ('finish-args', 'permissions'):
        for module in manifest.get('modules', []):
            if isinstance(module, dict) and key in module:
                problems.append('module %r sets %s' % (module.get('name'), key))

    modules = manifest.get('modules', [])
    if not modules or not isinstance(modules[-1], dict):
        problems.append('the main module (the last one) is missing')
        return problems
    main = modules[-1]
    if main.get('name') != COMMAND:
        problems.append('the main module is %r, not %r' % (main.get('name'), COMMAND))
    if main.get('buildsystem') != 'meson':
        problems.append('the main module builds with %r, not meson' % (main.get('buildsystem'),))
    sources = main.get('sources', [])
    if not any(isinstance(s, dict)
               and ((s.get('type') == 'dir' and s.get('path') in ('..', '../'))
                    or s.get('type') == 'git')
               for s in sources):
        problems.append('the main module does not build this repository (dir ".." or git)')
    return problems


def desktop_problems(path):
    problems = []
    parser = configparser.RawConfigParser(strict=True, delimiters=('=',))
    parser.optionxform = str
    parser.read(path, encoding='utf-8')
    if os.path.basename(path) != APP_ID + '.desktop':
        problems.append('the desktop file is %s, not %s.desktop' % (os.path.basename(path), APP_ID))
    if not parser.has_section('Desktop Entry'):
        return problems + ['no [Desktop Entry] group']
    entry = parser['Desktop Entry']
    exec_line = entry.get('Exec', '').split()
    if not exec_line or exec_line[0] != COMMAND:
        problems.append('Exec is %r, not %r' % (entry.get('Exec'), COMMAND))
    if entry.get('Icon') != APP_ID:
        problems.append('Icon is %r, not %r' % (entry.get('Icon'), APP_ID))
    return problems


def metainfo_problems(path):
    problems = []
    root = ET.parse(path).getroot()
    if root.findtext('id') != APP_ID:
        problems.append('id is %r, not %r' % (root.findtext('id'), APP_ID))
    launchables = [l.text for l in root.findall('launchable') if l.get('type') == 'desktop-id']
    if launchables != [APP_ID + '.desktop']:
        problems.append('launchable is %r, not %r' % (launchables, APP_ID + '.desktop'))
    binaries = [b.text for b in root.findall('provides/binary')]
    if COMMAND not in binaries:
        problems.append('provides no binary %r' % (COMMAND,))
    if root.findtext('project_license') != 'GPL-3.0-or-later':
        problems.append('project_license is not GPL-3.0-or-later')
    rating = root.find('content_rating')
    if rating is None or rating.get('type') != 'oars-1.1':
        problems.append('no oars-1.1 content rating')
    return problems


def screenshot_problems(path, source_root):
    """The screenshots point into data/screenshots of this repository and,
    once that folder is there, at files in it."""
    problems = []
    root = ET.parse(path).getroot()
    images = [i.text.strip() for i in root.findall('screenshots/screenshot/image')]
    if not images:
        problems.append('no screenshots')
    for url in images:
        if not url.startswith(SCREENSHOT_PREFIX + 'data/screenshots/'):
            problems.append('%s is not in data/screenshots of the repository' % url)
            continue
        local = os.path.join(source_root, url[len(SCREENSHOT_PREFIX):])
        if os.path.isdir(os.path.join(source_root, 'data', 'screenshots')) \
           and not os.path.isfile(local):
            problems.append('%s is missing' % local)
    return problems


def main(argv):
    if len(argv) != 5:
        print('usage: %s MANIFEST DESKTOP-FILE METAINFO ICONS-DIR' % argv[0], file=sys.stderr)
        return 2
    manifest_path, desktop_path, metainfo_path, icons_dir = argv[1:]

    with open(manifest_path, encoding='utf-8') as f:
        manifest = json.load(f)

    problems = manifest_problems(manifest)
    check(not problems, 'the manifest has the app id, runtime, sdk, command, '
          'five permissions and a meson main module', problems)

    # The checker itself must reject every kind of hole: otherwise the check
    # above proves nothing.
    holes = [
        '--filesystem=home', '--filesystem=host', '--socket=session-bus',
        '--socket=system-bus', '--talk-name=org.freedesktop.secrets',
        '--talk-name=org.freedesktop.Notifications', '--own-name=' + APP_ID,
        '--device=all', '--socket=x11', '--socket=pulseaudio',
        '--env=GTK_DEBUG=interactive',
    ]
    for hole in holes:
        widened = copy.deepcopy(manifest)
        widened.setdefault('finish-args', []).append(hole)
        found = manifest_problems(widened)
        check(any(hole in p for p in found), 'a manifest with %s is rejected' % hole, found)

    broken = {
        'app id': ('id', 'org.example.Other'),
        'runtime': ('runtime', 'org.kde.Platform'),
        'runtime version': ('runtime-version', '40'),
        'sdk': ('sdk', 'org.freedesktop.Sdk'),
        'command': ('command', 'sh'),
    }
    for what, (key, value) in broken.items():
        bad = copy.deepcopy(manifest)
        bad.pop('app-id', None)
        bad[key] = value
        check(manifest_problems(bad), 'a manifest with a wrong %s is rejected' % what)

    bad = copy.deepcopy(manifest)
    bad['modules'][-1]['buildsystem'] = 'simple'
    check(manifest_problems(bad), 'a main module that is not meson is rejected')

    bad = copy.deepcopy(manifest)
    bad['finish-args'].remove('--socket=wayland')
    check(manifest_problems(bad), 'a manifest without --socket=wayland is rejected')

    problems = desktop_problems(desktop_path)
    check(not problems, 'the desktop file runs %s with the app icon' % COMMAND, problems)

    problems = metainfo_problems(metainfo_path)
    check(not problems, 'the metainfo launches %s.desktop' % APP_ID, problems)

    source_root = os.path.dirname(os.path.dirname(os.path.abspath(manifest_path)))
    have_screenshots = os.path.isdir(os.path.join(source_root, 'data', 'screenshots'))
    problems = screenshot_problems(metainfo_path, source_root)
    check(not problems, 'the screenshots are the files in data/screenshots', problems,
          skip=None if have_screenshots else 'data/screenshots is not there yet')

    icons = [os.path.join(icons_dir, 'hicolor', 'scalable', 'apps', APP_ID + '.svg'),
             os.path.join(icons_dir, 'hicolor', 'symbolic', 'apps', APP_ID + '-symbolic.svg')]
    missing = [p for p in icons if not os.path.isfile(p)]
    for icon in icons:
        if icon not in missing:
            ET.parse(icon)
    check(not missing, 'the app icon and its symbolic variant exist and parse',
          ['missing: ' + p for p in missing])

    print('1..%d' % len(results))
    for number, (ok, name, details, skip) in enumerate(results, 1):
        if skip and ok:
            print('ok %d - %s # SKIP %s' % (number, name, skip))
            continue
        print('%s %d - %s' % ('ok' if ok else 'not ok', number, name))
        for detail in details if not ok else ():
            print('# ' + detail)
    return 0 if all(ok for ok, _, _, _ in results) else 1


if __name__ == '__main__':
    sys.exit(main(sys.argv))
