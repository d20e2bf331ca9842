# ints, floats, strings, lists: the everyday subset
print(1 + 2 * 3, 7 // 2, -7 // 2, 7 % 3, -7 % 3, 2 ** 10, 10 / 4)
print(0x1f, 0o17, 0b101, 1_000_000)
print((0b10101010 & ~0b00001111) | 0b00000101 == 0b10100101)
print(1 << 40, (1 << 40) >> 38, -1 >> 5, ~5, 5 ^ 3)
print(2 ** 100, -(2 ** 70), 2 ** 64 // 3, 2 ** 64 % 1000, (2 ** 64) * (2 ** 64))
print(12345678901234567890 + 1, 10 ** 20 - 1, -10 ** 20 // 7, -10 ** 20 % 7)
print(1.5, 0.1, 1e22, 1e-5, 1.0, -0.0, 3.14159, 2.5e-10, 1e16, 123456789.0)
print(0.1 + 0.2, 1 / 3, 2 ** 0.5, 7.0 // 2, -7.5 % 2)
print(int('42'), int('-17'), int('ff', 16), int(3.9), int(-3.9), float('1.5'), float(3))
print(abs(-3), abs(-2.5), min(3, 1, 2), max([4, 9, 2]), sum([1, 2, 3]), sum(range(101)))
print(round(2.5), round(3.5), round(2.675, 2), divmod(17, 5), divmod(-17, 5), pow(3, 4, 5))
print(hex(255), oct(8), bin(5), hex(-255), chr(65), ord('A'), ord('é'))
print(True + True, True and False, None or 5, 0 or '', not 0)
print(1 < 2 < 3, 1 < 3 < 2, 2 == 2.0, 'a' < 'b', [1, 2] < [1, 3], (1, 2) == (1, 2))
x = 10
x += 5
x -= 3
x *= 2
x //= 5
print(x)
