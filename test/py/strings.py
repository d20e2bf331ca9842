s = 'Hello, World'
print(s, len(s), s[0], s[-1], s[1:5], s[::-1], s[::2])
print(s.upper(), s.lower(), s.find('o'), s.rfind('o'), s.count('l'), s.index('W'))
print(s.replace('l', 'L'), s.split(','), s.split(), 'a,b,,c'.split(','), 'a b  c'.split(None, 1))
print('  pad  '.strip(), '--x--'.strip('-'), 'xxa'.lstrip('x'), 'abc'.startswith('ab'), 'abc'.endswith('bc'))
print('-'.join(['a', 'b', 'c']), ''.join(str(i) for i in range(5)))
print('%d %s %r %5.2f %-4d| %x %05d' % (42, 'hi', 'hi', 3.14159, 7, 255, 42))
print('{} {} {}'.format(1, 'two', 3.0), '{0}{1}{0}'.format('a', 'b'), '{:>6}|{:<6}|{:^6}'.format('r', 'l', 'c'))
print('{:08.3f} {:+d} {:,} {:x} {:#x} {:b}'.format(3.14159, 5, 1234567, 255, 255, 5))
name = 'VM'
n = 3
print(f'{name} has {n} items, {n * 2} doubled, {name!r} {3.14159:.3f} {n:03d}')
print('multi\nline', 'tab\there', 'quote\'s', "dq\"s", '\x41\u00e9', r'raw\n')
print(repr('it\'s'), repr("a\"b"), repr('\n\t\\'), str(b'abc'), repr(b'\x00\xff'))
print('abc' * 3, 'a' in 'cat', 'z' not in 'cat', 'é'.encode(), b'caf\xc3\xa9'.decode())
print('Hello'.center(11, '*'), 'x'.ljust(3) + '|', 'x'.rjust(3), '42'.zfill(5), '-42'.zfill(5))
print('a=b=c'.partition('='), 'a=b=c'.rpartition('='), 'line1\nline2\r\nline3'.splitlines())
print('abc'.isalpha(), '123'.isdigit(), '  '.isspace(), 'ABC'.isupper(), 'hello world'.title(), 'hello'.capitalize())
print("""triple
quoted""", 'implicit' ' concat')
