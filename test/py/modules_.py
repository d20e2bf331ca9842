import struct, json, array, binascii
try:
    import ubinascii
except ImportError:  # CPython has only the plain name
    import binascii as ubinascii
print(struct.pack('HH', 1, 2) == b'\x01\x00\x02\x00')
print(struct.pack('<I', 0xdeadbeef), struct.pack('>h', -2), struct.pack('<bBhHiIqQ', -1, 255, -300, 65000, -70000, 4000000000, -5, 2**64 - 1))
print(struct.unpack('<I', b'\xef\xbe\xad\xde'), struct.unpack('>hH', b'\xff\xfe\x00\x10'), struct.calcsize('<IHB'), struct.calcsize('IHB'))
print(struct.pack('<fd', 1.5, -2.25), struct.unpack('<f', struct.pack('<f', 0.1))[0] != 0.1, struct.pack('3s', b'abcd'), struct.pack('?x?', True, False))
buf = bytearray(8)
struct.pack_into('<HI', buf, 1, 7, 9)
print(buf, struct.unpack_from('<HI', buf, 1), struct.unpack('<Q', b'\xff' * 8))
print(json.loads(json.dumps({1: 2, 3: 4, 'a': 6})))
print(json.dumps([1, 'two', 3.5, None, True, {'k': [False]}]), json.dumps('é"\n'))
print(json.loads('{"a": [1, 2.5, "x\\n", null, true, false, {}], "b": -7}'))
a = array.array('i', [11, 22, 33, 44, 55])
print(a, len(a), a[1], a[-1], list(a), sum(a))
a.append(66)
a[0] = -1
print(a, array.array('B', b'\x01\x02'), array.array('f'))
print(ubinascii.unhexlify('313233') == b'123', binascii.hexlify(b'\x01\xab'), binascii.hexlify(b'\x01\xab', b':'))
print(binascii.b2a_base64(b'hello!?'), binascii.a2b_base64(b'aGVsbG8hPw==\n'))
