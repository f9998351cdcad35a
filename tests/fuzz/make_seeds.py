#!/usr/bin/env python3
"""Writes the seed corpora of tests/fuzz/corpus/ (run from anywhere; the
files are committed, so this only needs running when seeds change). Frames
are real Cap'n Proto messages made with `capnp encode` from the schema."""
import json, os, subprocess, sys

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(os.path.dirname(here))
corpus = os.path.join(here, 'corpus')

TYPES = ['A', 'AAAA', 'CNAME', 'MX', 'TXT', 'NS', 'SRV', 'CAA', 'PTR', 'TLSA', 'SSHFP', 'DS',
         'NAPTR', 'DNAME', 'HTTPS', 'SVCB']
VALUES = {
    'A': ['192.0.2.1', '0.0.0.0', '255.255.255.255', '192.0.2.01', '1.2.3'],
    'AAAA': ['2001:db8::1', '::', '::ffff:192.0.2.1', '2001:DB8:0:0:0:0:0:1', '1::2::3'],
    'CNAME': ['target.example.net', 'target.example.net.', '_x.example.net', 'a..b'],
    'MX': ['mail.example.net', '.', 'MAIL.EXAMPLE.NET.'],
    'TXT': ['v=spf1 -all', '"quoted" text', 'a\\"b', 'x' * 300, 'caf\u00e9', '"a" "b"'],
    'NS': ['ns1.example.net', 'ns1.example.net.'],
    'SRV': ['5 5060 sip.example.net', '0 0 .', '65535 65535 x.example.net'],
    'CAA': ['0 issue "letsencrypt.org"', '128 iodef "mailto:a@example.net"', '0 issuewild ";"'],
    'PTR': ['host.example.net'],
    'TLSA': ['3 1 1 2bb183af6d3ce0cba8dd0c4b5a3d4c1d2bb183af6d3ce0cba8dd0c4b5a3d4c1d',
             '3 1 2 ' + 'ab' * 64],
    'SSHFP': ['4 2 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
              '1 1 ' + 'aa' * 20],
    'DS': ['12345 13 2 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08'],
    'NAPTR': ['100 10 "S" "SIP+D2U" "" _sip._udp.example.net',
              '100 10 "u" "E2U+sip" "!^.*$!sip:info@example.net!" .'],
    'DNAME': ['example.net'],
    'HTTPS': ['1 . alpn="h2,h3" port=443', '0 svc.example.net', '1 . ipv4hint=192.0.2.1,192.0.2.2 '
              'ipv6hint=2001:db8::1 mandatory=alpn alpn=h2'],
    'SVCB': ['1 svc.example.net. port=8443', '1 . no-default-alpn alpn=h2 ech=AEX+DQBBpQAgACBm'],
}
OWNERS = {'SRV': '_sip._udp', 'TLSA': '_443._tcp.www', 'DS': 'sub', 'NS': 'sub'}


def write(target, name, data):
    d = os.path.join(corpus, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), 'wb') as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def request_bodies():
    n = 0
    for t in TYPES:
        for v in VALUES[t]:
            body = {'record_type': t, 'name': OWNERS.get(t, 'www'), 'value': v}
            if t in ('MX', 'SRV'):
                body['priority'] = 10
            write('request_body', f'{n:03d}-{t.lower()}', json.dumps(body))
            n += 1
    for extra in ['{"domain": "example.com"}', '{"domain": "b\\u00fccher.example"}',
                  '{"ttl": 300}', '{"ttl": null, "priority": null}', '{"value": "x", "tll": 1}',
                  '{"record_type": "A", "name": "www", "value": "192.0.2.1", "ttl": 1e3}',
                  '{"a": 1, "a": 2}', '[', '{"record_type": "A"} junk', '"\\ud800"',
                  '{"record_type":"A","name":"www","value":"192.0.2.1","ttl":9223372036854775808}']:
        write('request_body', f'{n:03d}-shape', extra)
        n += 1


def record_values():
    n = 0
    for i, t in enumerate(TYPES):
        for v in VALUES[t]:
            owner = {'SRV': 3, 'TLSA': 2, 'DS': 5, 'NS': 5}.get(t, 1)
            prio = b'\x80\x0a' if t in ('MX', 'SRV') else b'\x00\x00'
            write('record_value', f'{n:03d}-{t.lower()}',
                  bytes([i, owner]) + prio + v.encode())
            n += 1


def zones():
    write('zone_render', '000-mixed', '\n'.join([
        'A www 192.0.2.1', 'A www 192.0.2.2', 'AAAA www 2001:db8::1', 'MX @ 10 mail.example.net',
        'TXT @ v=spf1 -all', 'CNAME ftp www.fuzz.example', 'SRV _sip._udp 10 5 5060 sip.example.net',
        'CAA @ 0 issue "letsencrypt.org"', 'NS sub ns1.example.net',
        'DS sub 12345 13 2 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
        'A glue.sub 192.0.2.53']))
    write('zone_render', '001-conflicts', '\n'.join([
        'CNAME www target.example.net', 'A www 192.0.2.1', 'DNAME d example.net', 'A x.d 192.0.2.1',
        'MX @ 0 .', 'MX @ 10 mail.example.net', 'TXT t "a;b" "c\\"d"', 'TXT t $ORIGIN evil.']))
    for i, t in enumerate(TYPES):
        lines = []
        for v in VALUES[t]:
            prio = '10 ' if t in ('MX', 'SRV') else ''
            lines.append(f'{t} {OWNERS.get(t, "www")} {prio}{v}')
        if t == 'DS':
            lines.insert(0, 'NS sub ns1.example.net')
        write('zone_render', f'{i + 2:03d}-{t.lower()}', '\n'.join(lines))


def frames():
    schema = os.path.join(root, 'common', 'schema', 'pipeline.capnp')
    messages = [
        (0, 'Command', '(version = 1, requestId = 7, actor = (userId = "u", tokenId = "t"), '
                       'body = (createZone = "example.com"))'),
        (0, 'Command', '(version = 1, requestId = 8, body = (createRecord = (zoneUuid = "z", '
                       'input = (type = "A", name = "www", value = "192.0.2.1"))))'),
        (0, 'Command', '(version = 1, requestId = 9, body = (deleteRecord = "r"))'),
        (1, 'Query', '(version = 1, requestId = 1, userId = "u", body = (listZones = (limit = 10)))'),
        (2, 'Event', '(seq = 5, time = 1700000000, zoneUuid = "z", domain = "example.com", '
                     'change = (recordCreated = (uuid = "r", zoneUuid = "z", type = a, name = "www", '
                     'value = "192.0.2.1", ttl = 3600)), soaSerial = 5)'),
        (3, 'Reply', '(version = 1, requestId = 1, body = (error = (kind = notFound, '
                     'detail = "zone not found")))'),
        (4, 'Deploy', '(version = 1, domain = "example.com", serial = 5, '
                      'body = (zoneFile = "example.com. 3600 IN A 192.0.2.1\\n"))'),
    (4, 'Deploy', '(version = 1, domain = "example.com", serial = 6, body = (delta = (soa = '
                  '"example.com. 3600 IN SOA ns1. h. 6 1 1 1 1", ops = [(add = true, '
                  'rr = "www.example.com. 3600 IN A 192.0.2.1")])))'),
        (5, 'DeployAck', '(version = 1, domain = "example.com", serial = 5, ok = true)'),
        (6, 'StatusQuery', '(version = 1, requestId = 3, domain = "example.com")'),
        (7, 'StatusReply', '(version = 1, requestId = 3, domain = "example.com", known = true)'),
    ]
    for n, (kind, struct, text) in enumerate(messages):
        try:
            out = subprocess.run(['capnp', 'encode', '-I', os.path.join(root, 'common'),
                                  '--flat', schema, struct], input=text.encode(),
                                 capture_output=True, check=True).stdout
        except subprocess.CalledProcessError as e:
            sys.exit(f'capnp encode {struct} failed: {e.stderr.decode()}')
        write('frames', f'{n:03d}-{struct.lower()}', bytes([kind]) + out)
    write('frames', '100-empty', bytes([0]))
    write('frames', '101-odd', bytes([3]) + b'\x01\x02\x03')


request_bodies()
record_values()
zones()
frames()
