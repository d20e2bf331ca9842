print(bytearray([2,3,5,7]))
print(bytearray(5))
b = b'hello'
print(b, len(b), b[0], b[1:3], b + b'!', b * 2, b'l' in b, 104 in b)
ba = bytearray(b'abc')
ba[0] = 65
ba.append(100)
ba.extend(b'ef')
print(ba, len(ba), ba[1], list(ba), bytes(ba))
print(bytes([1, 2, 255]), bytes(3), bytearray(b'xy') == b'xy', b'a' < b'b')
print((1024).to_bytes(2, 'big'), (1024).to_bytes(2, 'little'), int.from_bytes(b'\x01\x00', 'big'))
print(b'abc'.decode(), 'é'.encode(), b'a,b'.split(b','), b'ab'.hex())
