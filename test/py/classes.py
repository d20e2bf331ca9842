class Animal:
    kind = 'animal'
    def __init__(self, name):
        self.name = name
    def speak(self):
        return self.name + ' makes a sound'
    def __repr__(self):
        return 'Animal(%r)' % self.name
class Dog(Animal):
    kind = 'dog'
    def speak(self):
        return super().speak() + ': woof'
d = Dog('rex')
print(d.speak(), d.kind, Animal.kind, d, [d])
print(isinstance(d, Dog), isinstance(d, Animal), isinstance(d, int), type(d).__name__)
class Vec:
    def __init__(self, x, y):
        self.x, self.y = x, y
    def __add__(self, o):
        return Vec(self.x + o.x, self.y + o.y)
    def __eq__(self, o):
        return self.x == o.x and self.y == o.y
    def __len__(self):
        return 2
    def __getitem__(self, i):
        return (self.x, self.y)[i]
    def __str__(self):
        return 'Vec(%d, %d)' % (self.x, self.y)
    def __lt__(self, o):
        return self.x < o.x
v = Vec(1, 2) + Vec(3, 4)
print(v, v == Vec(4, 6), v != Vec(0, 0), len(v), v[0], list(v), Vec(1, 0) < Vec(2, 0))
class Counter:
    count = 0
    def __init__(self):
        Counter.count += 1
    @staticmethod
    def helper(a):
        return a * 2
    @classmethod
    def make(cls):
        return cls()
    @property
    def double(self):
        return Counter.count * 2
Counter()
c = Counter.make()
print(Counter.count, Counter.helper(4), c.double)
class It:
    def __init__(self, n):
        self.n = n
    def __iter__(self):
        self.i = 0
        return self
    def __next__(self):
        if self.i >= self.n:
            raise StopIteration
        self.i += 1
        return self.i
print(list(It(3)), [x * 10 for x in It(2)], sum(It(4)))
class Base:
    def hello(self):
        return 'base'
class A(Base):
    def hello(self):
        return 'A>' + super().hello()
class B(Base):
    def hello(self):
        return 'B>' + super().hello()
class C(A, B):
    def hello(self):
        return 'C>' + super().hello()
print(C().hello())
print(hasattr(d, 'name'), getattr(d, 'missing', 'dflt'), callable(d.speak))
setattr(d, 'age', 3)
print(d.age)
